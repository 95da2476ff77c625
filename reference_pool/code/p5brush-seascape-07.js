// A small harbour: colourful houses along the quay, three moored fishing boats and their wobbly reflections in blue water.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#c5dcea', 230);
  brush.fillBleed(0.3);
  brush.rect(-280, -280, 560, 200);
  // hill behind the town
  brush.fill('#8fae7a', 230);
  brush.polygon([[-290, -60], [-150, -130], [20, -100], [170, -140], [290, -90], [290, -20], [-290, -20]]);

  // houses along the quay
  const hc = ['#e6b35a', '#d9664a', '#f1e4c8', '#6f9fc4', '#e58e8e', '#f0c977', '#9dbb8a'];
  for (let i = 0; i < 7; i++) {
    const x = -250 + i * 72, w = 62, h = 60 + (i % 3) * 16;
    brush.fill(hc[i], 250);
    brush.fillBleed(0.05);
    brush.rect(x, -h + 20, w, h);
    brush.fill('#8b3b2b', 240);
    brush.polygon([[x - 3, -h + 22], [x + w / 2, -h - 8], [x + w + 3, -h + 22]]);
  }
  // quay wall
  brush.fill('#a89a86', 250);
  brush.rect(-280, 18, 560, 18);

  // water
  brush.fill('#4f86b5', 235);
  brush.fillBleed(0.15);
  brush.fillTexture(0.5, 0.3);
  brush.rect(-280, 36, 560, 250);
  brush.fill('#356a9a', 200);
  brush.rect(-280, 150, 560, 140);

  // boats and reflections
  const boats = [[-150, 110, '#d8473a'], [0, 150, '#f2f0e8'], [140, 95, '#2f6c5c']];
  for (const [bx, by, c] of boats) {
    brush.fill(c, 255);
    brush.fillBleed(0.04);
    brush.polygon([[bx - 55, by - 18], [bx + 55, by - 18], [bx + 40, by], [bx - 42, by]]);
    brush.fill(c, 130);
    brush.fillBleed(0.2);
    brush.polygon([[bx - 42, by + 2], [bx + 40, by + 2], [bx + 50, by + 16], [bx - 50, by + 16]]);
    brush.set('pen', '#2b2b2b', 0.9);
    brush.line(bx, by - 18, bx, by - 80);
    brush.line(bx, by - 78, bx + 30, by - 20);
    brush.noStroke();
  }
  // ripples
  brush.set('2H', '#e4eef6', 1.2);
  for (let i = 0; i < 14; i++) {
    const x = random(-250, 230), y = random(50, 250);
    brush.line(x, y, x + random(15, 40), y);
  }
}
