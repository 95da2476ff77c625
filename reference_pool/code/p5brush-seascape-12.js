// A great curling wave in Prussian and cobalt blues with foam claws, towering over a tiny snow-capped mountain on a cream sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3ead6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#e9dcbc', 230);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.polygon([[-300, -300], [300, -300], [300, 60], [-300, 60]]);

  // distant mountain
  brush.fill('#5a6f8c', 240);
  brush.fillBleed(0.05);
  brush.polygon([[90, 70], [150, 20], [165, 18], [225, 70]]);
  brush.wash('#fbf7ec', 255);
  brush.polygon([[136, 32], [150, 20], [165, 18], [180, 32], [168, 36], [157, 30], [146, 36]]);
  brush.noWash();

  // low swells
  const low = [];
  for (let x = -300; x <= 300; x += 25) low.push([x, 90 + 14 * sin(x * 3)]);
  low.push([300, 300], [-300, 300]);
  brush.fill('#3c6e9e', 250);
  brush.fillBleed(0.15);
  brush.polygon(low);
  brush.polygon(low);

  // the great wave: body rising from the lower left, curling over to the right
  const body = [[-300, 300], [-300, 40], [-250, -40], [-190, -120], [-120, -170], [-40, -185], [30, -160], [60, -120],
    [40, -100], [10, -125], [-30, -130], [-70, -110], [-90, -70], [-60, -20], [-10, 60], [60, 140], [140, 300]];
  brush.fill('#1f3f73', 255);
  brush.fillBleed(0.12);
  brush.fillTexture(0.55, 0.35);
  brush.polygon(body);
  brush.polygon(body);
  // lighter inner face
  brush.fill('#4d86b8', 230);
  brush.polygon([[-90, -70], [-60, -20], [-10, 60], [60, 140], [140, 300], [20, 300], [-70, 120], [-120, 10], [-130, -60]]);

  // foam claws along the lip
  brush.wash('#fbf8ee', 255);
  const lip = [[-250, -40], [-190, -120], [-120, -170], [-40, -185], [30, -160], [60, -120], [40, -100]];
  for (let i = 0; i < lip.length; i++) {
    const [x, y] = lip[i];
    brush.circle(x, y, 12 - i * 0.5);
    brush.circle(x + 14, y + 10, 7);
  }
  for (let i = 0; i < 10; i++) brush.circle(60 + random(-25, 25), -100 + random(0, 90), random(3, 6));
  brush.noWash();
  // foam lines on the body
  brush.set('2B', '#f7f3e6', 1.5);
  for (let i = 0; i < 6; i++) brush.spline([[-270 + i * 30, 60 - i * 25], [-200 + i * 25, -20 - i * 20], [-150 + i * 20, -50 - i * 18]], 0.7);
  // small boat in the trough
  brush.wash('#e8dcc0', 255);
  brush.polygon([[150, 150], [240, 130], [232, 142], [158, 160]]);
  brush.noWash();
}
