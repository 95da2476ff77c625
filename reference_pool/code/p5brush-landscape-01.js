// Lavender fields at dusk: violet rows converging to a horizon of plum hills under a lilac and peach sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4efea');
  brush.scaleBrushes(1.5);

  // sky
  brush.noStroke();
  brush.fill('#c9b3e0', 200);
  brush.fillBleed(0.2);
  brush.fillTexture(0.4, 0.3);
  brush.rect(-256, -256, 512, 250);
  brush.fill('#f4c7a1', 170);
  brush.fillBleed(0.3, 'out', 90);
  brush.rect(-256, -90, 512, 80);

  // sun
  brush.wash('#fbe6bf', 230);
  brush.circle(110, -105, 24);
  brush.noWash();
  // distant hills
  brush.fill('#8a6aa8', 200);
  brush.fillBleed(0.2);
  brush.beginShape(0.6);
  brush.vertex(-256, -20); brush.vertex(-150, -60); brush.vertex(-40, -30); brush.vertex(60, -55); brush.vertex(180, -25); brush.vertex(256, -45); brush.vertex(256, 10); brush.vertex(-256, 10);
  brush.endShape(true);
  brush.fill('#6d4f8f', 200);
  brush.beginShape(0.6);
  brush.vertex(-256, 5); brush.vertex(-90, -15); brush.vertex(100, 0); brush.vertex(256, -12); brush.vertex(256, 30); brush.vertex(-256, 30);
  brush.endShape(true);

  // field base
  brush.fill('#a988cf', 220);
  brush.fillBleed(0.15);
  brush.rect(-256, 20, 512, 240);

  // lavender rows converging to a vanishing point
  const vx = 20, vy = 10;
  for (let i = -6; i <= 6; i++) {
    const bx = i * 85;
    brush.fill(i % 2 ? '#5a2f8f' : '#6d3fa6', 245);
    brush.fillBleed(0.12);
    brush.fillTexture(0.6, 0.5);
    brush.polygon([[vx + i * 3, vy + 22], [vx + i * 3 + 4, vy + 22], [bx + 30, 256], [bx - 10, 256]]);
  }
  // a lone tree on the horizon
  brush.wash('#45306a', 150);
  brush.circle(-140, -38, 15, 0.6);
  brush.circle(-128, -30, 12, 0.6);
  brush.circle(-152, -28, 11, 0.6);
  brush.noWash();
  brush.fill('#2c1d40', 200);
  brush.fillBleed(0.15);
  brush.circle(-138, -34, 14);
  brush.set('2B', '#3a2850', 1.6);
  brush.line(-139, -22, -140, 16);
  // pencil lines along the rows
  brush.set('cpencil', '#3d1c63', 0.7);
  for (let i = -5; i <= 5; i += 2) brush.line(vx + i * 3 + 2, vy + 30, i * 85 + 10, 256);
}
